{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "906a4da024f045c985bab7506f232234406ff9225a11d53b820bc92c700cb437",
  "signature": "nqEWzt5MBO7CwB+WBgtl8ecRORctkl6ZWRjaCN7m9DOQvH6orcyOPGpcrhTzNAI46Bq8bjJm1Nz/TGoadYjhCA=="
}
