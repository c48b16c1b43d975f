{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "0249d3180f6d2fd254c53414aa7810bc05351992019f2fee17f0385b63fc6c81",
  "signature": "2pmbYKU4/sizvDUQ65QGMk7D6ZV43jAdWq+x6GknaBpNvplipG9NaoCPcwrpYetIilBQ/wfOqnvNqRRvIhrvAw=="
}
