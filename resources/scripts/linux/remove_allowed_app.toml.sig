{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "aa653a30ef0ff4d5ad8028d0e0b20e2256c5e4e3f356661cc1d0090e4d3c75b1",
  "signature": "+IUVMndQ9Vyqz7aswTEv++SDfSpIsbXRP9rg86LSwBvcgkudzQZs3FroIGoFHO9PbGWUwbsqH5/WSmXrd3xyDw=="
}
