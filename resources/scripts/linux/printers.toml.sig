{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "10fa36c97e1d65cc6a0f10219e353f20f9194602f8a2432ea38dcf862d680782",
  "signature": "Tb1IHBVjKu+0WgQFFHgiASUcU5hEi7XH53NBux/lSKQ2m+yJWZv0Ovl1WJ07V7xaWoC3KiUePNUoxqO9VREsCw=="
}
