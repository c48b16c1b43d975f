{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "c337c7a97ce214c4dd05318557320cad609a4ccd600abbcaf2219da891321aa6",
  "signature": "xbburtsmZqY24SGuvsgPbJWCejbmWbjUNZDSD9Fa5qhK3VCVaSJTIokAY4i5RL856K9MI7ULFpm9OGVHv5nRBw=="
}
