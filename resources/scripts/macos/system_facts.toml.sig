{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "1c1f3f628466255078b4ec672b9ab0e217b4ce99cb14dde1ecbe50c493356819",
  "signature": "WLp5B63IPYXOnFZa76mcSAOywixPBIG7Q+ziRmzgJCx2meWnz16yCzz2WCm6vpd8a51TGASwoPE6TdvyjiRAAw=="
}
