{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "bb74d4a397a8c9143974bc43f574c15cebb38e58c19c5c55cfdc9aacfa34523b",
  "signature": "AwZGixuQt1QTXVxGpN9UizpEQe2inYaorjpwCrT2Vd7C4lzwbbtdAhOsaX6gt9OraWygTSIwXEboXEi6hSIGBg=="
}
