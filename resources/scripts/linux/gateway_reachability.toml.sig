{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "fc530f73afbce4e0b69113e16b5b671a3f68ac06f2322254de11829019794c81",
  "signature": "MB+rYsSG4wLHP69IrfuAwOqWZ8aJZnBTKbR7l3YcvOZ+WsUy4K/IJMoKCTI56U4X2aZYmYMKcwg6Q2CGoRb9Ag=="
}
