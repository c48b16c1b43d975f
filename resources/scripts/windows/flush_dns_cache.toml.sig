{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "462252dc68db5b2c85f5d5571fdc8d76665dadaad93e5791e3ae203c63c4bde8",
  "signature": "qkjgYfHGFF6mKtVf9PJ1KEVADCh1F8E8m6CBXbE1zs20pW8lrCwdRJpEYIcuiDq8XlMZykFkAvuHD4CsJ1LiAg=="
}
