{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "2413af4f32b3347a727cdd7ed7f57b29c8045c594db87a2fbbeff3d611ab67ea",
  "signature": "M8KeWSVdsf7TZY48Ue4N69n7xtgNwvoiFNiM6hUWpqqtgk1GulfWbKZgzqja89OZzk9SQzztFVOeLD3d9sNGCA=="
}
