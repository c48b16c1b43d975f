{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "3a97a4ae423b1fc4fc65c4fd0fa572db9e8d2d59b271aae62fcb4fdfecc58ef8",
  "signature": "cNPVUZsgwHO7FDjy1o72B0x4WHPvK/mdQ3GeK76O95NpcbJfQ3unTGPJqYvYB/c7Ndz3erfF3YD4WORgbT++Cg=="
}
