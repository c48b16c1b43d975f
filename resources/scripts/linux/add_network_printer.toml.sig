{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "797da4103e92e9876c820c1daa8e7dfd6d727225c43e46107ab2b87b678f4be6",
  "signature": "wpu7+wflEtV/5Nh9TYMxvSFS6w9P3V43U8PgyO4rEgh0m/IJaJDF9yWK9l4grudHuhIZb61tq4xhxrfLlPUvAg=="
}
