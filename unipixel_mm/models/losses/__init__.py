from .sam2_mask_loss import MultiStepMaskLoss

__all__ = ['MultiStepMaskLoss']
