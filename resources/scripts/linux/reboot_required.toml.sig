{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "52b19aef2caf86b00c24f0f8bb2a6416c01a28fe8410c9f639f4ec0881d9945a",
  "signature": "VIlS4Fp2AxS42tTMg/1e98IfCAqURNDU6vKuAVv+yOZOydic67YrdUuWdpfkDEhDsAECMugSbinjunbbxaZxDA=="
}
