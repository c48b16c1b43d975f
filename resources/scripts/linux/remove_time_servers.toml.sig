{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "a634a1fe3ff83b1be2db81aaaadf197568383b36d826ad3a0b38e60c9cebf150",
  "signature": "ynjYAtnqRzk/Fcc8ab4xneQXAQ4N/DzJVP5CL8peFy+mJ5TkAEt4PMfpWQpOeKtYSAgVjvj9W9eF262LgvT1Cg=="
}
