{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "9d8a657217287451731bfc5bd6116d90ece034c2fa03b4a5166e9b0ccc7ca157",
  "signature": "VeHzpjKfeA387mkM/iySLlunogd2aRn1AfBcjxMtJGY2QGqIZ6Qt6xZ6jIsKur3pXCaQZGjC452BlMEuNPxcDw=="
}
