{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "bb69efd52760f03955276c62d9a3bca860d642cb105ae1702428872025742aeb",
  "signature": "Ck7des6rr9Wss/iONDzgznFYK2/WxwEo4uAE4upRfUnCgowH9UAFaoThtm10IzZ+VU7PYGMYEmCamssVB/2VBg=="
}
