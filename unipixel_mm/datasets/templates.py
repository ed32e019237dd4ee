"""Instruction and response templates of UniPixel's training data.

The wording is the reference recipe's (PolyU-ChenLab/UniPixel), so that a
model trained here sees the same instructions as the official checkpoints.
``{}`` is the query, sentence or question of the sample.
"""
from .tokenizer import SEG_TOKEN

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
