{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "5ef784d715ce650e5bb0078ee13931d075d9480c0801b57d1db9d1f08d7ebf09",
  "signature": "WqnMdXTDLkEAAXEg0e8YvaWZGueeXD4ktwT7i7ultI21aZAGvbkAo8dblgyd6l/BXxA3Mmi5WIqD7IVs7K+DDw=="
}
