{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "0bb0a8f7f4f9117650863409506103a02e524eaa35c0b40cd496a8cbc292d802",
  "signature": "kuyAPV1vCv8YhxSo6MYmum6440/cyIeGOwC7cW4YH+ssfDNRdma1VFbk+gD6lpAwTD2WUXEXlDuaARRr7nBNAw=="
}
