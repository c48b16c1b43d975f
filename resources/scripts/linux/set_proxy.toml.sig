{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "2ec7df8c338dae6d71c6b3c5553f2bb6e480bcea613d18193012e40b1c5deebe",
  "signature": "nrlYViF82n1ibycSwJY0BByf+FMuJPqMJQlhmW9PBNM1sIIXLUs9lFeBma4kXrEqxoYBGUa2vHbt4KylMT0pAA=="
}
