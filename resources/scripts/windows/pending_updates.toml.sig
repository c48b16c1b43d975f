{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "37638b0291b34cc3333292032df40a0dfa0ef34382a2b0e39550e8511624c597",
  "signature": "QurlGVtRKog3yhCA/pQrjpU2MzHjyr1ivaYW957AhufZB4kdxnTRQ+R49vsvcB4V7Hw8AtwNQT2h5wYKSTJPAA=="
}
