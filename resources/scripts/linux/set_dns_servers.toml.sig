{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "e91d252e0f1e329375812d769fe5a68c72689a048890615343c4ca4ea5fb00cc",
  "signature": "AjdDqPwS+AJXdPLD1StCWlCfaEhKq8cROIyirHPM2OS6cqzJBski8rVb3jZvjp5WQFm97ozDND4BnpUQ8FOZAQ=="
}
