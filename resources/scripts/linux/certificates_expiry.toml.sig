{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "2c7477cdb9a42c484bf7c08eace0c2c8721640f9bb821f0b3c98a81a219ae058",
  "signature": "x+kl/C6VeKURwyd6aTvNpJdEDbP0koyn+EPhryKVklgegVLZtR4e6LMVqBOLMWQVvFcUXtqag5hxYF+bgCjPDQ=="
}
