{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "a28f3d3cbd368f53e4279a884dd569d2ce50c5a3e910336b78e4f02868feca77",
  "signature": "IEmIo/wwDyLKoSWOii9oB3uIN04dccf60+jr3gk7LwIke4o01eW2FKF2qPlVKrVLkFPLMbZOXwqwHL4eI/skBQ=="
}
