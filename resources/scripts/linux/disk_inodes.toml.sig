{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "bf8e92c9e3cf42930489c225c046b74f604bdf5d3c0c06bfeedefc3e74615478",
  "signature": "kjUKyoKFlaGHbNba45A0Yhq+GpLI6F76AXwtwTzhHN0Lxj7kCkZllDF0rBfxHyeV9wdYum9zDn3fdfXGM0uADQ=="
}
