{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "a7f63513b779d2bada6a3f889f59969e778ab05aa3b4463308e590984463260b",
  "signature": "Ci+JNe7N66Ow6q72BGh3/fl2EUduOXBHB1v99/HmShnCglrtk4K4zOZhBC1sysYMkZWRgDEnPbDZe9hAXRhXDw=="
}
