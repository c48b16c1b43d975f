{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "1926cdbe63c303d3de4b729d92ac33254fd8d3951981015b2f09633df095fe0e",
  "signature": "fpDhNhfLOhR9qUI1u+OP5BddHhPhdaCYwflf9O+v0A2ZHLmj/LgBPcY5cs1BdKkjXQ0/TYuoUgS5kBIyvljmBA=="
}
