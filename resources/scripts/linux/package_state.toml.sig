{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "4a9bc73dd772188c842fbae51c832e0dfbcf5bb23dc0eb6e3ec44bd0a3e16b25",
  "signature": "rIt0Xw6ohW2Dbt/btim4hpAT9JG3QJVVe7rbUM3/ss3vtojBUXLivg8W4to48t5vDKLim9KUksDiZPBoyet+Bg=="
}
