{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "eb2bbb2ffa74f14b85964a38f384c8aa9aa074899c796d5b78ddca605404b116",
  "signature": "aXXyKascGDR+A86UdyhKImnSkCQOFtBw7E4aYNDOUgMgSEvQfge8gHpIt0OKWEK00X7lZdPDXPRgJWaxP12CAw=="
}
