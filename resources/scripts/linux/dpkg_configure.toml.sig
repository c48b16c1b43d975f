{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "6eed837d59a8c11ae00178628d92b52c41dce811e2f79f0019b6dfc27cc0be27",
  "signature": "QwTA0/MRvxZtJkEHSZZcJObTkcOZkwtl8INcE7vvTKyx7v+t8f6lBx5cGIV+rgYGQMaK+eCMp5/qVnw04Tc/CA=="
}
