{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "1904331c9e44fd255e7c261ebe4b06f0238c2f74be25886572e4f6826cf6a303",
  "signature": "aUsb73QVDCfZJ1E6ekquOdcMVjLb6jBT7J9WvqTzKG2Go/MZ6Djp9xWzt2uhx+odhqgfm5aTn4Mmeog4NKS0Cw=="
}
