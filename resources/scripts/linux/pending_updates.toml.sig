{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "ab6b5cd24e36ba5d1ef02598503c8976194a58be069e7cb83c9c596096aee34e",
  "signature": "Tf9v41FGHfLABJvtr1OdUewI6CUdqxs0Twg8z3DrMrHE6ctcXPR8og7Z+0/S3FebxkfOKEZqdU7+rvLZKnd2Aw=="
}
