{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "97efd951d9df159b6ce1529594b2251ad8db096c7759c7bac8958dc2b06cdf41",
  "signature": "bMl6jkrKJOYJm99dGcrL2vnOI36F7dC3V6IwmO36jX2XT9Q72Ct4Nux8OnujlDHJNUVyc7W3AYY/YoIlRGyQBw=="
}
