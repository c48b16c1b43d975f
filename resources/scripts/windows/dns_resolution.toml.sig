{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "ab8de091c46c06851b2fa7fa4d8ce97c3dc4c9e16a644ebf8d0f9850aaf08a9e",
  "signature": "Dpox0EY79KJ5PsNRQBYfPw4hebDl09N+Ov42O5/IaZJEaMa17yCP49LbhnVIQq0uyj2S9eXVg6gI3vOBBVM1DQ=="
}
