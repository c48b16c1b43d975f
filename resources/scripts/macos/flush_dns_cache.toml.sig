{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "d58e4089c4fee8fe4fc066ae6b6c524970bbb72de1686c672b813e3e96d0b0ce",
  "signature": "a8tfviDwU6DrtwWG1T781RgL/PuPbuo8bjpFMUYImpz9momrHz5oSb5D7a5bAjPaO8F5gtfTFqKUrDIZY6m8Dw=="
}
