{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "1cb1f7cfed02df0afe223bfb92a12f35a7de73e7d0acf9dd781f1ea5e4d83e72",
  "signature": "Sg+HMllPJNSK6oZEBq7OzVG8TzZzn2JvfNqeOtxLFoOZ11rZm4SGpc20E83jlfeMReQy2QNIaIF3seGNJtuBBg=="
}
