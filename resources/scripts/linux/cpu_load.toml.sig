{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "7d94e3502ef265d0b50bc8bedda35dc57f7bd0ea05d3a26541f0d0949ce7dbd6",
  "signature": "DXrA6OxibUQUd0OhYDj+H8OhbvH7akt8lDX1mEQ3+Z2fG+rBL+eEbLt47cEOw+TrpolduMLoO/XltGBekd8DCQ=="
}
