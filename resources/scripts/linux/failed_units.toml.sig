{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "ff03bae98dc5845ec979433e06806b8285d9a48ef43968e8790d4411635cea55",
  "signature": "Ld0uRuF/aOZ9W2p/lCOnUw6k9qZhk4GmsrPxzkSuSLbVpomjah2CUc6AMWrxsf5p5SCWoBCWi0y4TGs88QxJBg=="
}
