{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "685540ba6988d6bff34db5dd5a01091fb62219860c9eb9b94b83d47493a1a723",
  "signature": "imxy/uRz4caucHpNNHa4GO+kn7ALsAci9xH8o3+XEG9vAqf/8vl2malI8P0jGUrFhp67yYqefTwPIa9QCwo4Bg=="
}
