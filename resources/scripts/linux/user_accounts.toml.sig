{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "62ed155572621d1b99a439c7e76ef0a6a33b6ff39f4c66ab227efa754e69960a",
  "signature": "VDkZG4t3n7RW270b35hOqBKD02MxI7Bf2quBkUtr99LtsJW8D9h94ZrUrQB8w28zyPQkGIBj8C113Qq0EjyJCA=="
}
