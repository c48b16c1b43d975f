{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "2cc701fa602e618f40704281e8ef03eec281c4926fb75776607b5fed14171975",
  "signature": "7LMP1545HLWI5oClxl0JWT8Oka+BXZsrtA/V43q5KHATZhZdlWa8ZaLlEss78W+EgGFDT5LoVRMV5s0dUUn6BA=="
}
