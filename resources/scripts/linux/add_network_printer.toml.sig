{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "052f12f38160815927f25d47131284b1ddec41cab347cd27c030af88185d8a51",
  "signature": "Jj1KIwnVcdYhmg/w5EH5JMcH1mqCLyb2AGrWp7JbNrg2eV7q5JIXpNBHABtctjGiuGZ55PYKeezb2c1bG8xEDQ=="
}
