{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "ed4573172e829ca429de9b70f0ec28db07951f1977093baa5dd73318aabebead",
  "signature": "J8ZLhWVuP45cL/KgQEFkw8Tt3XbYlcW2IFBVOZWpnTDY37ypRKjuvsFFQPDf88edci75UcaJC6GUUn+Z8aHqDw=="
}
