"""Instruction and response templates of UniPixel's training data.

The wording is the reference recipe's (PolyU-ChenLab/UniPixel), so that a
model trained here sees the same instructions as the official checkpoints.
``{}`` is the query, sentence or question of the sample.
"""
from unipixel_mm.text import REF_TOKEN, SEG_TOKEN

#: Reasoning segmentation with an explanation in the answer.
SEG_EXPLANATORY_PROMPTS = (
    '{} Please provide the segmentation mask and explain why.',
    '{} Respond with the segmentation mask and explain the reason.',
    '{} Output the segmentation mask and give some explanations.',
    '{} Provide the segmentation mask while answering the question.',
    '{} Segment the relevant target and answer the question.',
)

#: A full sentence (or question) that describes the target.
SEG_SENTENCE_PROMPTS = (
    '{} Please provide the segmentation mask.',
    '{} Please respond with the segmentation mask.',
    '{} Output the segmentation mask.',
    '{} Give me the segmentation results directly.',
    '{} Segment the target directly.',
)

#: A question whose short answer comes with the mask.
SEG_QUESTION_PROMPTS = (
    '{} Please answer the question and provide the segmentation mask.',
    '{} Please associate your answer with the segmentation mask.',
    '{} Answer the question and provide the corresponding segmentation '
    'mask.',
    '{} Give me the answer and segment the target.',
    '{} Provide a short answer while segmenting the relevant object.',
)

#: A long description of the target.
SEG_DESCRIPTION_PROMPTS = (
    'Please segment the object according to the description: {}',
    'Segment the target according to the description: {}',
    'Analyze the following sentences and provide the corresponding '
    'segmentation mask: {}',
    'Given the description: {} Where is the described object in this video?',
    'Find the object according to the description: {}',
)

#: A short referring expression or class name, in an image.
SEG_IMAGE_QUERY_PROMPTS = (
    'Can you segment the {} in this image?',
    'Please segment the {} in this image.',
    'Can you find the {} in the image?',
    'Segment the {} in the image.',
    'Track the {} in this image.',
    'Where is the {} in this image? Please respond with the segmentation '
    'mask.',
    'What is the {}? Please output the segmentation mask.',
)

#: A short referring expression or class name, in a video.
SEG_VIDEO_QUERY_PROMPTS = (
    'Can you segment the {} in this video?',
    'Please segment the {} in this video.',
    'Can you find the {} in the video?',
    'Segment the {} in the video.',
    'Track the {} in this video.',
    'Where is the {} in this video? Please respond with the segmentation '
    'mask.',
    'What is the {}? Please output the segmentation mask.',
)

#: Answers of the segmentation forms (one ``<|seg|>`` each).
SEG_RESPONSES = (
    f'The target is {SEG_TOKEN}.',
    f'The segmentation result is {SEG_TOKEN}.',
    f'Sure, the segmentation mask is {SEG_TOKEN}.',
    f'Sure, it is {SEG_TOKEN}.',
    f'{SEG_TOKEN}.',
)

#: Wrappers of PixelQA questions whose objects are to be segmented by id.
SEG_MEMORY_PROMPTS = (
    '{} Please localize the relevant objects with IDs.',
    '{} Segment all the relevant target(s) with ID(s) in the video.',
    '{} Can you segment the target object(s) with ID(s) in the video?',
    'Please segment the mentioned objects with IDs in the question: {}',
    'Find and track the relevant objects with IDs in the query: {}',
    "Given the query '{}', please provide segmentation masks for the "
    'relevant objects with IDs.',
)

#: A detailed description of a mask-prompted region; ``{}`` is its ``[id]``.
REG_DETAILED_PROMPTS = (
    'Can you provide me with a detailed description of the region in the '
    'picture marked by {}?',
    "I'm curious about the region represented by {} in the picture. Could "
    'you describe it in detail?',
    'What can you tell me about the region indicated by {} in the image?',
    "I'd like to know more about the area in the photo labeled {}. Can you "
    'give me a detailed description?',
    'Could you describe the region shown as {} in the picture in great '
    'detail?',
    'What details can you give me about the region outlined by {} in the '
    'photo?',
    'Please provide me with a comprehensive description of the region '
    'marked with {} in the image.',
    'Can you give me a detailed account of the region labeled as {} in the '
    'picture?',
    "I'm interested in learning more about the region represented by {} in "
    'the photo. Can you describe it in detail?',
    'What is the region outlined by {} in the picture like? Could you give '
    'me a detailed description?',
    'Can you provide me with a detailed description of the region in the '
    'picture marked by {}, please?',
    "I'm curious about the region represented by {} in the picture. Could "
    'you describe it in detail, please?',
    'What can you tell me about the region indicated by {} in the image, '
    'exactly?',
    "I'd like to know more about the area in the photo labeled {}, please. "
    'Can you give me a detailed description?',
    'Could you describe the region shown as {} in the picture in great '
    'detail, please?',
    'What details can you give me about the region outlined by {} in the '
    'photo, please?',
    'Please provide me with a comprehensive description of the region '
    'marked with {} in the image, please.',
    'Can you give me a detailed account of the region labeled as {} in the '
    'picture, please?',
    "I'm interested in learning more about the region represented by {} in "
    'the photo. Can you describe it in detail, please?',
    'What is the region outlined by {} in the picture like, please? Could '
    'you give me a detailed description?',
    'Please describe the region {} in the image in detail.',
    'Can you offer a thorough analysis of the region {} in the image?',
    'Could you elaborate on the region highlighted by {} in the picture '
    'provided?',
    'Please share more information about the zone emphasized with {} in the '
    'photo.',
    'What insights can you give about the area denoted by {} in the image '
    'presented?',
    'Can you share a comprehensive rundown of the region denoted by {} in '
    'the presented image?',
    "I'd like to know more about the region highlighted by {} in the "
    'picture provided.',
    'Work through the important details of the area {} in the image.',
    'Illustrate the area represtented by {} through a descriptive '
    'explanation.',
    'Examine the region {} closely and share its details.',
)

#: A short caption of a point / box prompted region (one ``<|ref|>``).
REF_IMAGE_SHORT_PROMPTS = (
    f'Give me a short description of {REF_TOKEN}.',
    f'Can you give me a short description of {REF_TOKEN}?',
    'Can you provide me with a short description of the region in the '
    f'picture marked by {REF_TOKEN}?',
    f"I'm curious about the region represented by {REF_TOKEN} in the "
    'picture. Could you describe it in a few words?',
    f'What can you tell me about the region indicated by {REF_TOKEN} in the '
    'image in a few words?',
    f"I'd like to know more about the area in the photo labeled {REF_TOKEN}. "
    'Can you give me a concise description?',
    f'Could you describe the region shown as {REF_TOKEN} in the picture '
    'concisely?',
    f'What can you give me about the region outlined by {REF_TOKEN} in the '
    'photo?',
    'Please provide me with a brief description of the region marked with '
    f'{REF_TOKEN} in the image.',
    'Can you give me a brief introduction of the region labeled as '
    f'{REF_TOKEN} in the picture?',
    f"I'm interested in knowing the region represented by {REF_TOKEN} in the "
    'photo. Can you describe it in several words?',
    f'What is the region outlined by {REF_TOKEN} in the picture like? Could '
    'you give me a streamlined description?',
    'Can you provide me with a brief description of the region in the '
    f'picture marked by {REF_TOKEN}, please?',
    f"I'm curious about the region represented by {REF_TOKEN} in the "
    'picture. Could you describe it in a few words, please?',
    f'What can you tell me about the region indicated by {REF_TOKEN} in the '
    'image?',
    f"I'd like to know more about the area in the photo labeled {REF_TOKEN}, "
    'please. Can you give me a simple description?',
    f'Could you describe the region shown as {REF_TOKEN} in the picture in '
    'several words?',
    'Please provide me with a simple description of the region marked with '
    f'{REF_TOKEN} in the image, please.',
    "I'm interested in learning more about the region represented by "
    f'{REF_TOKEN} in the photo. Can you describe it in a few words, please?',
    f'What is the region outlined by {REF_TOKEN} in the picture like, '
    'please? Could you give me a simple and clear description?',
    f'Please describe the region {REF_TOKEN} in the image concisely.',
    f'Can you offer a simple analysis of the region {REF_TOKEN} in the '
    'image?',
    f'Could tell me something about the region highlighted by {REF_TOKEN} in '
    'the picture briefly?',
    f'Can you share a simple rundown of the region denoted by {REF_TOKEN} in '
    'the presented image?',
)

#: The one instruction per segmentation turn type that the reference's
#: evaluation (``infer_seg.py``) asks; ``query`` takes the normalised query
#: and the medium (``'image'`` or ``'video'``).
SEG_EVAL_PROMPTS = dict(
    query='Please segment the {} in this {}.',
    sentence='{} Please provide the segmentation mask.',
    explanatory='{} Please provide the segmentation mask and explain why.',
    question='{} Please answer the question and provide the segmentation '
    'mask.',
    description='Please segment the object according to the description: '
    '{}',
)
