{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "4310df35ab0be0059c717b9737ba4099d015eab4e5990e556873b58d929445cb",
  "signature": "t1M+ce/bc3WxV0eb/a5YEl78e9ELnSWJs5MrtDLkXBxFjqkVWUdmBGGvHbki+a+veAXIR2uAOTIGxFOd/1xPBw=="
}
