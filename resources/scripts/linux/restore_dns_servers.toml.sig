{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "3121fb4c0be05d57125d44c8787afc04a693445ba87364aa48a433c041809881",
  "signature": "W5TwcY7rtytl++ZpkMjAbdKHHltTM1rA4A5cTRdKZtPW5yRFDb64W2HU+wz6CC9fJFE0F8Fxz2LqS6iZN2SCCQ=="
}
