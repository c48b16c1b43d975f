{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "61516ded2177ff2eee3a87b5342da72cfdb539db5b4a58a0540ed418371f4b9f",
  "signature": "BMBsPr8V++jTGiy8ggcKCWdcRAJp/lZI1rLU1MWHFqHoKIpJGSpw7+U2qOJF2Y04xnXxs2XCsfiljlYK4chJAw=="
}
