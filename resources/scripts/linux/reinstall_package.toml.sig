{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "21cb4a887bb4794650aaf3f86f83e09c86f7cd72705bdc9552d7d20c438dcd7a",
  "signature": "V7/6t9E8GMlt69/28Z8/iLdh47bVCNjF/8rs5hMmNA2ux5qs+IhpZFIN8r+yvxX6m5nRTaIXohvNHPCLExNABw=="
}
