{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "f3438d2769a62348d019a4d2a548f87b1d631c04e54933fa2caaa5ba21f31bd0",
  "signature": "++sTeK24ke8hVst8u3m/XRd8y+m5rO+ncco2sJyQDByH6QluHv6ObscLfQ7PgIKJO7CWnvMM5hc+W/95ne4PBA=="
}
