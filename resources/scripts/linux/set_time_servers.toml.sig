{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "5469c0615b2cb0610e6ba5629b4bce8b51fdaa48f704c2ad0db03d6fce77d29d",
  "signature": "FBYFJ9MnKmyucxwF9OBIKuXkwCcUfLhs+yOJN6PGgURyEPg+F0+d09cuMqf6XXf2pCOQ4J8gDxsg7duFFy7aBg=="
}
