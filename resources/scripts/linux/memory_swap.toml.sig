{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "41e62ebcc2435fe81fd1a89a5d673be05c94e85338260fbd33cb827ff0ba6e00",
  "signature": "u8hc+HJs15lqIrmYZBBZt3qJ/0TewhmBEkbM7RWy5TcBgtbRjRiB5jOKQhu4bfRy7VyVbRaz9XIJ5ibJiJWABA=="
}
