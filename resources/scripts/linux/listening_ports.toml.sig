{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "a8b2126f50ecb05c6da36665ff522e2f8b7eae148ab647f3139bef238ef46591",
  "signature": "hOiPHRx+DA4Sg8Ql91L/1FP0Ns0Y2gfXAn8m+b75eXU2MA3R+h16TmylS3N7RL4BCPdiummFW6m7I/SIQewUBw=="
}
