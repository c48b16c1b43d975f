{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "0295f74dcd28119b0529e3dc1d9c74e390c290d28080c1675f1d863addede75a",
  "signature": "AiLf0jXpTcDWclBm68tNpuYfc6EZ1ZdZ0FCAxW1GLJ+82/PnNBmyj5SxOQfFAHy1QtK7ijanXF4AIoKLUxPnAA=="
}
